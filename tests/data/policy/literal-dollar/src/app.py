import os

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    # keys the code writes literally, with `${` and `%{` in them: no variables
    s3.put_object(Bucket=os.environ["BUCKET"], Key="data/${Env}.json", Body=b"")
    s3.put_object(Bucket="acme-archive", Key="t/%{x}/${y}.csv", Body=b"")
