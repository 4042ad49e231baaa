// A real OpenID provider for selfserve's sign-in tests (tests/it/oidc.rs): panva's
// oidc-provider, pinned in package-lock.json, with one static client. It listens on a free
// port on 127.0.0.1 and prints its issuer URL as its first line of output.
//
// Environment: CLIENT_ID, CLIENT_SECRET (the client selfserve is configured with) and ACCOUNT_GROUPS,
// a JSON object of user name -> list of groups (any other name signs in with no groups; not
// GROUPS, which bash keeps for itself).
// Logins use the provider's development screens: any user name, any password.
//
// The client is a "native" one so that its loopback redirect URIs match any port (RFC 8252
// 7.3): the test's selfserve picks its port after this provider has started.
//
// POST /test/mode?tamper=1 or ?ttl=SECONDS&delay=MILLISECONDS changes how later ID tokens
// leave the token endpoint: with one signature byte changed (as by someone in between), or
// issued with a short lifetime and held back until it has run out. POST /test/mode resets.
// selfserve must refuse both; the tests fail if it signs anyone in with them.

import http from 'node:http';
import Provider from 'oidc-provider';

const clientId = process.env.CLIENT_ID || 'selfserve';
const clientSecret = process.env.CLIENT_SECRET || 'a test secret';
const groups = JSON.parse(process.env.ACCOUNT_GROUPS || '{}');

const mode = { tamper: false, ttl: 3600, delay: 0 };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/sign-in/oidc/callback'],
        post_logout_redirect_uris: ['http://127.0.0.1/'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Claims in the ID token itself, as selfserve reads them (not only from userinfo).
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            preferred_username: id,
            name: id,
            email: `${id}@example.test`,
            email_verified: true,
            groups: groups[id] || [],
          };
        },
      };
    },
    ttl: {
      IdToken: () => mode.ttl,
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    cookies: { keys: ['selfserve test provider cookie key'] },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || !ctx.body?.id_token) return;
    if (mode.tamper) {
      const [head, payload, signature] = ctx.body.id_token.split('.');
      const middle = Math.floor(signature.length / 2);
      const flipped = signature[middle] === 'A' ? 'B' : 'A';
      const changed = signature.slice(0, middle) + flipped + signature.slice(middle + 1);
      ctx.body = { ...ctx.body, id_token: `${head}.${payload}.${changed}` };
    }
    if (mode.delay > 0) {
      await new Promise((resolve) => setTimeout(resolve, mode.delay));
    }
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/test/mode' && req.method === 'POST') {
      mode.tamper = url.searchParams.get('tamper') === '1';
      mode.ttl = Number(url.searchParams.get('ttl') || 3600);
      mode.delay = Number(url.searchParams.get('delay') || 0);
      res.writeHead(204);
      res.end();
      return;
    }
    callback(req, res);
  });
  console.log(issuer);
});
