#!/usr/bin/env python3
"""Sets up a moto server started with INITIAL_NO_AUTH_ACTION_COUNT=5 for signature-checked tests.

Usage: moto_setup.py PORT BUCKET BUCKET2
The five unauthenticated calls: an IAM user, its access key, a policy allowing everything, and the
two buckets. Prints the new key as JSON ({"id": …, "secret": …}); every later request must be signed
with it, and a wrong signature gets 403 SignatureDoesNotMatch.
"""
import json, sys

import boto3

port, buckets = sys.argv[1], sys.argv[2:4]
options = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
               aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam = boto3.client("iam", **options)
iam.create_user(UserName="kiln")
key = iam.create_access_key(UserName="kiln")["AccessKey"]
iam.put_user_policy(UserName="kiln", PolicyName="everything", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
s3 = boto3.client("s3", **options)
for bucket in buckets:
    s3.create_bucket(Bucket=bucket)
print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
