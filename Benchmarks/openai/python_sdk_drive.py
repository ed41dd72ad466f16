"""Drive the fake Images API with the official openai Python SDK: N generations, M in flight.

Usage: OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=sk-test \
       python3 python_sdk_drive.py --requests 1000 --in-flight 64
"""
import argparse
import os
import asyncio
import base64
import time

from openai import AsyncOpenAI


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--size", default="1024x1024")
    parser.add_argument("--out", help="write each image here, as a script that builds assets does")
    args = parser.parse_args()
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    client = AsyncOpenAI(max_retries=0)
    semaphore = asyncio.Semaphore(args.in_flight)

    async def one(index: int) -> int:
        async with semaphore:
            result = await client.images.generate(model="gpt-image-1.5", prompt=f"benchmark image {index}",
                                                  size=args.size, quality="low")
            total = 0
            for n, item in enumerate(result.data):
                image = base64.b64decode(item.b64_json)
                total += len(image)
                if args.out:
                    with open(os.path.join(args.out, f"{index}-{n}.png"), "wb") as f:
                        f.write(image)
            return total

    start = time.monotonic()
    sizes = await asyncio.gather(*(one(i) for i in range(args.requests)))
    wall = time.monotonic() - start
    print(f"requests={args.requests} in_flight={args.in_flight} wall={wall:.3f} seconds image_bytes={sum(sizes)}")
    await client.close()


asyncio.run(main())
