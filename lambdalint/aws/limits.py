"""Lambda's hard limits that fail a deployment: names, environment, layers, package sizes,
event source mapping settings, and the environment variables Lambda reserves.

Sources (checked against the AWS documentation text):
- quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  (environment variables 4 KB; five layers; 50 MB zipped for a direct upload, 250 MB
  unzipped including layers; GetAccountSettings gives them in bytes: CodeSizeZipped
  52428800, CodeSizeUnzipped 262144000)
- names: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (FunctionName:
  64 characters as a name, `[a-zA-Z0-9-_]`; Handler: at most 128 characters)
- event source mappings:
  https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html and
  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html (BatchSize 1 to
  10,000, at most 10 for a FIFO queue, above 10 only with MaximumBatchingWindowInSeconds of at
  least 1; the window 0 to 300 seconds and not supported for FIFO queues)
- reserved variables: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
  (the "Reserved environment variables" list; `TZ`, `LANG`, `PATH`, `LD_LIBRARY_PATH`,
  `NODE_PATH`, `PYTHONPATH`, `AWS_LAMBDA_EXEC_WRAPPER`, `AWS_XRAY_*` are not reserved)
"""

from __future__ import annotations

from typing import Final

ENVIRONMENT_BYTES: Final = 4096
MAX_LAYERS: Final = 5
FUNCTION_NAME_CHARS: Final = 64
HANDLER_CHARS: Final = 128
UNZIPPED_BYTES: Final = 262_144_000  # 250 MB, code and layers extracted
ZIPPED_DIRECT_UPLOAD_BYTES: Final = 52_428_800  # 50 MB, a zip uploaded with the API call

MIN_BATCH_SIZE: Final = 1
MAX_BATCH_SIZE: Final = 10_000
SQS_BATCH_WITHOUT_WINDOW: Final = 10  # above this, a batching window of at least 1 s is needed
FIFO_MAX_BATCH_SIZE: Final = 10
MAX_BATCHING_WINDOW: Final = 300

# Keys Lambda sets itself and refuses in a function's configuration ("Lambda was unable to
# configure your environment variables because the environment variables you have provided
# contains reserved keys that are currently not supported for modification")
RESERVED_ENVIRONMENT: Final = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
