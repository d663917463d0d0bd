import os

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities import parameters

logger = Logger()
sqs = boto3.client("sqs")
s3 = boto3.client("s3")
sns = boto3.client("sns")
STAGE = os.environ["STAGE"]


@logger.inject_lambda_context
def handler(event, context):
    token = parameters.get_secret("prod/api-token")
    endpoint = parameters.get_parameter(f"/{STAGE}/worker/endpoint")
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=endpoint)
    s3.put_object(Bucket=os.environ["REPORTS"], Key="daily.csv", Body=token)
    s3.get_object(Bucket=os.environ["PLAIN"], Key="template.csv")
    sns.publish(TopicArn=os.environ["TOPIC"], Message="done")
    boto3.client("cloudwatch").put_metric_data(Namespace="worker", MetricData=[])
