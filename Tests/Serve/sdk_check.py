#!/usr/bin/env python3
"""The official `openai` Python SDK against `kiln serve`'s gateway, unchanged but for base_url and
a Kiln token as its api_key. Usage: sdk_check.py BASE_URL TOKEN IMAGE.png. Prints one JSON object
of what it saw; exits 1 on the first surprise (with the reason on stderr)."""
import base64
import json
import struct
import sys
import zlib

import openai
from openai import OpenAI


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def mask_for(image_path):
    """A PNG mask of the image's size with an alpha channel: transparent (edit here) on the left half."""
    with open(image_path, "rb") as f:
        head = f.read(24)
    width, height = struct.unpack(">II", head[16:24])
    row = b"\x00" + b"".join(b"\x00\x00\x00\x00" if x < width // 2 else b"\xff\xff\xff\xff" for x in range(width))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def main():
    base_url, token, image_path = sys.argv[1], sys.argv[2], sys.argv[3]
    client = OpenAI(base_url=base_url, api_key=token, max_retries=0, timeout=120)
    seen = {}

    first = client.images.generate(model="gpt-image-1.5", prompt="a red kiln at dusk", size="1024x1024", quality="low")
    png = base64.b64decode(first.data[0].b64_json)
    if not png.startswith(b"\x89PNG"):
        fail("generate: not a PNG")
    seen["generate_bytes"] = len(png)
    seen["generate_size"] = first.size
    seen["generate_usage_output_tokens"] = first.usage.output_tokens if first.usage else None

    again = client.images.generate(model="gpt-image-1.5", prompt="a red kiln at dusk", size="1024x1024", quality="low")
    seen["repeat_same_bytes"] = again.data[0].b64_json == first.data[0].b64_json

    with open(image_path, "rb") as image:
        edited = client.images.edit(model="gpt-image-1.5", image=image, prompt="add a hat", size="1024x1024", quality="low")
    seen["edit_is_png"] = base64.b64decode(edited.data[0].b64_json).startswith(b"\x89PNG")

    with open(image_path, "rb") as image:
        masked = client.images.edit(model="gpt-image-1.5", image=image, mask=("mask.png", mask_for(image_path), "image/png"),
                                    prompt="add a hat on the left", size="1024x1024", quality="low")
    if not base64.b64decode(masked.data[0].b64_json).startswith(b"\x89PNG"):
        fail("edit with a mask: not a PNG")
    seen["edit_with_mask_is_png"] = True

    try:
        client.images.generate(model="gpt-image-1.5", prompt="a kiln", response_format="url")
        fail("response_format was accepted")
    except openai.BadRequestError as error:
        seen["response_format_status"] = error.status_code
        seen["response_format_code"] = error.code
        seen["response_format_param"] = error.param

    try:
        client.images.generate(model="gpt-image-1.5", prompt="a kiln", size="999x999")
        fail("a bad size was accepted")
    except openai.BadRequestError as error:
        seen["bad_size_param"] = error.param

    try:
        OpenAI(base_url=base_url, api_key="kiln_wrong", max_retries=0).images.generate(prompt="a kiln")
        fail("a wrong token was accepted")
    except openai.AuthenticationError as error:
        seen["wrong_token_status"] = error.status_code
        seen["wrong_token_code"] = error.code

    print(json.dumps(seen))


if __name__ == "__main__":
    main()
