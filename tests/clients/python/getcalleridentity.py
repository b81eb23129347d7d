"""boto3 as an awsmfa test client.

Loads a profile the way applications do (boto3.Session(profile_name=...),
whose credential chain runs the profile's credential_process) and calls
sts:GetCallerIdentity N times with one client, printing the caller's ARN once
per call. On failure it prints botocore's error, which carries the helper's
stderr, and exits 1.

    python3 getcalleridentity.py PROFILE [N]
"""

import os
import sys

import boto3


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: getcalleridentity.py PROFILE [N]")
    calls = int(argv[2]) if len(argv) == 3 else 1
    session = boto3.Session(profile_name=argv[1])
    # Older botocore (Debian's) does not read AWS_ENDPOINT_URL_STS; pass the
    # stand-in's address explicitly so every version talks to it.
    sts = session.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
    for _ in range(calls):
        print(sts.get_caller_identity()["Arn"], flush=True)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as err:  # the client's own error message is the point
        print(f"boto3 {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
