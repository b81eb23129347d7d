#!/usr/bin/env bash
# Admin commands on a large AWS config: add, list, setup and remove must
# read and resolve the files once per run, so their cost grows linearly
# with the config. Budget (issue 11): a 10 MB config of 54,000 profiles in
# under 2 s and 200 MB for each command.
#
#   bench/largeconfig.sh [PROFILES]     (default 54000)
#
# Each command runs on a config of PROFILES profiles and on one of a tenth
# as many, in the same run; the ratio of the two times is ~10 when the cost
# is linear (~100 if it were quadratic). Prints Markdown. Uses the file
# keyring in a temporary directory; never touches ~/.aws or the real keyring.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-54000}
small=$((n / 10))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -trimpath -o "$work/awsmfa" .

# A config like an organisation's generated one: IAM users with MFA, and
# roles that chain from them (every third profile), all served by awsmfa.
gen() {
  awk -v n="$1" 'BEGIN {
    print "[profile work]\nregion = eu-west-1\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\ncredential_process = awsmfa process --profile work\n"
    for (i = 1; i < n; i++) {
      if (i % 3 == 0) {
        src = (i % 9 == 0) ? "work" : sprintf("user-%06d", i - 1)
        printf "[profile role-%06d]\nrole_arn = arn:aws:iam::123456789012:role/team-%06d-administrators\nsource_profile = %s\nrole_session_name = bench-%06d\nregion = eu-west-1\nduration_seconds = 3600\noutput = json\n\n", i, i, src, i
      } else {
        printf "[profile user-%06d]\nregion = us-east-1\nmfa_serial = arn:aws:iam::123456789012:mfa/user-%06d\ncredential_process = awsmfa process --profile user-%06d\noutput = json\n\n", i, i, i
      }
    }
  }'
}

# measure NAME CONFIG ARGS...: "seconds peak-KB" of one run.
measure() {
  local config=$1; shift
  env -i PATH="$PATH" HOME="$work/home" AWS_CONFIG_FILE="$config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" \
    AWSMFA_KEYRING_BACKEND=file AWSMFA_FILE_DIR="$work/keyring" AWSMFA_FILE_PASSPHRASE=bench \
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
    /usr/bin/time -f '%e %M' -o "$work/time" "$work/awsmfa" "$@" >/dev/null 2>"$work/stderr" || {
      echo "bench/largeconfig.sh: awsmfa $* failed:" >&2; cat "$work/stderr" >&2; exit 1; }
  cat "$work/time"
}

gen "$n" >"$work/config.big"
gen "$small" >"$work/config.small"
mkdir -p "$work/home"

echo "## Admin commands on a large config"
echo
echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
echo "- machine: $(nproc) CPUs, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- config: $n profiles, $(stat -c %s "$work/config.big") bytes; baseline: $small profiles, $(stat -c %s "$work/config.small") bytes; file keyring"
echo
echo "| command | $n profiles | peak RSS | $small profiles | ratio (linear ≈ 10) |"
echo "|---|---|---|---|---|"
row() {
  local name=$1; shift
  cp "$work/config.big" "$work/config"
  read -r big_s big_kb < <(measure "$work/config" "$@")
  cp "$work/config.small" "$work/config"
  read -r small_s small_kb < <(measure "$work/config" "$@")
  awk -v name="$name" -v bs="$big_s" -v bk="$big_kb" -v ss="$small_s" 'BEGIN {
    ratio = (ss > 0) ? sprintf("%.1f", bs / ss) : "n/a (baseline under 10 ms)"
    printf "| %s | %.2f s | %.0f MB | %.2f s | %s |\n", name, bs, bk / 1024, ss, ratio }'
}
row "add --env" add --profile work --env
row "list" list
row "setup" setup --profile work --access-key-id AKIAIOSFODNN7EXAMPLE --secret-from-env --mfa-serial arn:aws:iam::123456789012:mfa/alice
row "remove --yes" remove --profile work --yes
