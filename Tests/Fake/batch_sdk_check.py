"""Drives Kiln's fake with the official openai Python SDK (Files and Batches), to prove its wire
format is the live service's: the SDK's own models parse every answer.

Usage: python3 batch_sdk_check.py BASE_URL API_KEY FOLDER. Prints one JSON line of findings; exits
non-zero (with the reason on stderr) when anything does not match. Exit 3: the SDK is missing.
"""
import json
import sys
import time

try:
    import openai
except ImportError:
    print("the openai package is not installed", file=sys.stderr)
    sys.exit(3)


def wait(client, batch_id, want):
    for _ in range(3000):
        batch = client.batches.retrieve(batch_id)
        if batch.status in want:
            return batch
        time.sleep(0.02)
    raise SystemExit(f"batch {batch_id} never reached {want}")


def main():
    base_url, key, folder = sys.argv[1:4]
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
    lines = [
        {"custom_id": f"sdk-{i}", "method": "POST", "url": "/v1/images/generations",
         "body": {"model": "gpt-image-1.5", "prompt": f"a kiln {i}", "size": "1024x1024", "quality": "low"}}
        for i in range(3)
    ]
    path = f"{folder}/sdk-input.jsonl"
    with open(path, "w") as out:
        out.write("\n".join(json.dumps(line) for line in lines) + "\n")
    with open(path, "rb") as handle:
        uploaded = client.files.create(file=handle, purpose="batch")
    assert uploaded.object == "file" and uploaded.purpose == "batch", uploaded
    assert uploaded.bytes == len(open(path, "rb").read()), uploaded
    assert client.files.retrieve(uploaded.id).filename == "sdk-input.jsonl"

    batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/images/generations",
                                  completion_window="24h", metadata={"by": "sdk"})
    assert batch.status == "validating" and batch.metadata == {"by": "sdk"}, batch
    done = wait(client, batch.id, {"completed", "failed", "expired", "cancelled"})
    assert done.status == "completed", done
    assert done.request_counts.total == 3 and done.request_counts.completed == 3, done.request_counts
    content = client.files.content(done.output_file_id)
    results = [json.loads(line) for line in content.text.splitlines() if line]
    assert sorted(r["custom_id"] for r in results) == ["sdk-0", "sdk-1", "sdk-2"], results
    assert all(r["response"]["status_code"] == 200 and r["response"]["body"]["data"][0]["b64_json"] for r in results)

    listed = client.batches.list(limit=10)
    assert listed.data and listed.data[0].id == batch.id, listed

    second = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/images/generations",
                                   completion_window="24h")
    cancelling = client.batches.cancel(second.id)
    assert cancelling.status in ("cancelling", "cancelled"), cancelling
    cancelled = wait(client, second.id, {"cancelled"})

    deleted = client.files.delete(uploaded.id)
    assert deleted.deleted and deleted.id == uploaded.id, deleted
    try:
        client.batches.retrieve("batch_missing")
        raise SystemExit("a missing batch did not raise")
    except openai.NotFoundError as error:
        assert "batch_missing" in str(error)

    print(json.dumps({"sdk": openai.__version__, "batch": done.id, "lines": len(results),
                      "cancelled": cancelled.status}))


if __name__ == "__main__":
    main()
