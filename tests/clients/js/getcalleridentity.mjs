// The AWS SDK for JavaScript v3 as an awsmfa test client: resolves a
// profile's credentials the way applications do and calls
// sts:GetCallerIdentity N times with one client, printing the caller's ARN
// once per call. PROVIDER=fromIni passes @aws-sdk/credential-providers'
// fromIni as the credentials; otherwise the client's default chain runs.
// PROFILE "-" names no profile: the default chain finds the credentials
// (awsmfa's server, through AWS_CONTAINER_CREDENTIALS_FULL_URI).
// With CALLS_UNTIL=FILE it keeps calling until FILE exists; with
// KEY_LOG=FILE it appends, after each call, the access key ID the client's
// credentials provider then holds.
//
//   node getcalleridentity.mjs PROFILE [N]
import { appendFileSync, existsSync } from "node:fs";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";

const [profile, n = "1"] = process.argv.slice(2);
if (!profile) {
  console.error("usage: node getcalleridentity.mjs PROFILE [N]");
  process.exit(2);
}
const { CALLS_UNTIL: until, KEY_LOG: keyLog } = process.env;

// The profile also gives the region, as it does for applications.
const config = profile === "-" ? {} : { profile };
if (process.env.PROVIDER === "fromIni") {
  config.credentials = fromIni(config);
}
const client = new STSClient(config);
try {
  for (let i = 0; until ? !existsSync(until) : i < Number(n); i++) {
    const out = await client.send(new GetCallerIdentityCommand({}));
    console.log(out.Arn);
    if (keyLog) {
      const creds = await client.config.credentials();
      appendFileSync(keyLog, creds.accessKeyId + "\n");
    }
  }
} catch (err) {
  console.error(`js ${err.name}: ${err.message}`);
  process.exit(1);
}
