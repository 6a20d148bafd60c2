import { AccountSchema } from '../../infra/db/entities/account';
import { storesOver } from '../../infra/db/stores';
import { accountView } from '../accounts-view';
import { LoginThrottle } from '../auth/login-throttle';
import { DECOY_HASH, verifyPassword } from '../auth/passwords';
import type { ApiContext } from '../context';
import { unauthorized } from '../problem';
import type { Api } from '../route';
import { AccountViewSchema, LoginResultSchema, LoginSchema, ProblemSchema } from '../schemas';

export function authRoutes(api: Api, ctx: ApiContext): void {
  let warnedAboutProxy = false;
  const throttle = new LoginThrottle(ctx.services, {
    perAccount: ctx.config.loginFailuresPerAccount,
    perAddress: ctx.config.loginFailuresPerAddress,
  });

  api.route({
    method: 'post',
    path: '/v1/auth/login',
    summary: 'Log in and get a bearer token',
    tag: 'auth',
    access: 'public',
    body: LoginSchema,
    responses: {
      200: { description: 'token', schema: LoginResultSchema },
      401: { description: 'bad credentials', schema: ProblemSchema },
      429: { description: 'this address must wait before trying again (Retry-After)', schema: ProblemSchema },
    },
    handler: async ({ body, req }) => {
      const address = req.ip ?? 'unknown';
      if (req.headers['x-forwarded-for'] && ctx.config.trustProxy === false && !warnedAboutProxy) {
        warnedAboutProxy = true;
        ctx.log.warn(
          'logins arrive with X-Forwarded-For but TRUST_PROXY is not set: every client behind that proxy is throttled as one address',
        );
      }
      await throttle.begin(body.username, address);
      const em = ctx.services.em.fork();
      const account = await em.findOne(AccountSchema, { username: body.username.toLowerCase() });
      // The same work whether or not the username exists, so timing does not tell which usernames are real.
      const ok = await verifyPassword(body.password, account?.passwordHash ?? DECOY_HASH);
      const success = !!account && ok && !account.disabled;
      if (success) await throttle.succeeded(body.username, address);
      if (account) {
        const action = success ? 'LOGIN' : 'LOGIN_FAILED';
        await em.transactional((tx) => storesOver(tx).audit.append([{ at: new Date(), actor: account.id, action, details: { address } }]));
      }
      if (!success) throw unauthorized('The username or password is wrong, or the account is disabled.');
      return { body: { ...ctx.tokens.issue(account), account: accountView(account) } };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/auth/logout',
    summary: 'End the token this request carries (other tokens of the account keep working)',
    tag: 'auth',
    access: 'any',
    responses: { 204: { description: 'that token no longer works' } },
    handler: async ({ caller }) => {
      const { jti, exp } = caller.tokenClaims;
      await ctx.services.em.fork().transactional(async (tx) => {
        const stores = storesOver(tx);
        await stores.accounts.revokeToken(jti, caller.id, exp);
        await stores.audit.append([{ at: new Date(), actor: caller.id, action: 'LOGOUT', details: {} }]);
      });
      return { status: 204 };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/me',
    summary: "The caller's account",
    tag: 'auth',
    access: 'any',
    responses: { 200: { description: 'the account', schema: AccountViewSchema } },
    handler: async ({ caller }) => ({ body: accountView(caller) }),
  });
}
