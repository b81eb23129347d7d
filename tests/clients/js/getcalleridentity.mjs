// The AWS SDK for JavaScript v3 as an awsmfa test client: resolves a
// profile's credentials the way applications do and calls
// sts:GetCallerIdentity N times with one client, printing the caller's ARN
// once per call. PROVIDER=fromIni passes @aws-sdk/credential-providers'
// fromIni as the credentials; otherwise the client's default chain runs.
//
//   node getcalleridentity.mjs PROFILE [N]
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { fromIni } from "@aws-sdk/credential-providers";

const [profile, n = "1"] = process.argv.slice(2);
if (!profile) {
  console.error("usage: node getcalleridentity.mjs PROFILE [N]");
  process.exit(2);
}

// The profile also gives the region, as it does for applications.
const config = { profile };
if (process.env.PROVIDER === "fromIni") {
  config.credentials = fromIni({ profile });
}
const client = new STSClient(config);
try {
  for (let i = 0; i < Number(n); i++) {
    const out = await client.send(new GetCallerIdentityCommand({}));
    console.log(out.Arn);
  }
} catch (err) {
  console.error(`js ${err.name}: ${err.message}`);
  process.exit(1);
}
