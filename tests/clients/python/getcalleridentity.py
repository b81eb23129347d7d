"""boto3 as an awsmfa test client.

Loads a profile the way applications do (boto3.Session(profile_name=...),
whose credential chain runs the profile's credential_process) and calls
sts:GetCallerIdentity N times with one client, printing the caller's ARN once
per call. On failure it prints botocore's error, which carries the helper's
stderr, and exits 1. PROFILE "-" uses no profile: the default chain finds
the credentials (awsmfa's server, through AWS_CONTAINER_CREDENTIALS_FULL_URI).

With CALLS_UNTIL=FILE it keeps calling until FILE exists; with KEY_LOG=FILE
it appends, after each call, the access key ID botocore then holds.

    python3 getcalleridentity.py PROFILE [N]
"""

import os
import sys

import boto3


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: getcalleridentity.py PROFILE [N]")
    calls = int(argv[2]) if len(argv) == 3 else 1
    until, key_log = os.environ.get("CALLS_UNTIL"), os.environ.get("KEY_LOG")
    session = boto3.Session(profile_name=None if argv[1] == "-" else argv[1])
    # Older botocore (Debian's) does not read AWS_ENDPOINT_URL_STS; pass the
    # stand-in's address explicitly so every version talks to it.
    sts = session.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
    i = 0
    while (i < calls) if not until else not os.path.exists(until):
        print(sts.get_caller_identity()["Arn"], flush=True)
        if key_log:
            key = session.get_credentials().get_frozen_credentials().access_key
            with open(key_log, "a") as f:
                f.write(key + "\n")
        i += 1


if __name__ == "__main__":
    try:
        main(sys.argv)
    except Exception as err:  # the client's own error message is the point
        print(f"boto3 {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(1)
