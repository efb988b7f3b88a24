// A real OpenID Connect provider for the single sign-on tests: npm's `oidc-provider` (panva),
// started on a random port of 127.0.0.1. Run through scripts/oidc-provider, which installs it.
//
//   node oidc-provider.mjs --client ID:SECRET:REDIRECT_URI --account NAME:GROUP,GROUP ...
//                          [--id-token-claims all|conform]
//
// Prints one JSON line `{"issuer": "http://127.0.0.1:PORT"}` on stdout once it listens, and
// serves until killed. Accounts sign in on the provider's own development login form with
// their name as login (any password); their ID token carries `groups`, `email`,
// `email_verified`, `name` and `preferred_username`. Consent is granted without asking, as an
// organisation's own provider does for its own applications.
import Provider from 'oidc-provider';
import { createServer } from 'node:http';

const clients = [];
const accounts = new Map();
let conform = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const [flag, value] = [args[i], args[i + 1]];
  if (value === undefined) {
    console.error(`${flag} needs a value`);
    process.exit(2);
  }
  if (flag === '--client') {
    const [id, secret, ...uri] = value.split(':');
    clients.push({
      client_id: id,
      client_secret: secret,
      redirect_uris: [uri.join(':')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });
  } else if (flag === '--id-token-claims') {
    // "conform": the ID token carries only what the standard puts there when an access
    // token is issued too, and the profile, email and groups are at userinfo alone.
    conform = value === 'conform';
  } else if (flag === '--account') {
    const [name, groups = ''] = value.split(':');
    accounts.set(name, groups ? groups.split(',') : []);
  } else {
    console.error(`unknown argument ${flag}`);
    process.exit(2);
  }
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // By default claims go in the ID token as well as at userinfo, as Azure AD and Keycloak can
  // be set to do; --id-token-claims conform keeps them at userinfo only.
  conformIdTokenClaims: conform,
  cookies: { keys: [crypto.randomUUID()] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    if (!accounts.has(sub)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: `${sub}@example.org`,
          email_verified: true,
          name: sub.charAt(0).toUpperCase() + sub.slice(1),
          preferred_username: sub,
          groups: accounts.get(sub),
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});
server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
