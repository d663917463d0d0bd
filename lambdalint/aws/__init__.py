"""What lambdalint knows about AWS: IAM actions, SDK operations, runtimes, credential formats,
managed policies and SAM policy templates, each with the data it ships (`data/`) and the script
that regenerates that data (`python -m lambdalint.aws.<module>`)."""
