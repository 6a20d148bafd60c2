import { appendAudit } from '../../infra/audit';
import { AccountSchema } from '../../infra/db/entities/account';
import { sqlOf } from '../../infra/db/orm';
import { accountView } from '../accounts-view';
import { DECOY_HASH, verifyPassword } from '../auth/passwords';
import type { ApiContext } from '../context';
import { unauthorized } from '../problem';
import type { Api } from '../route';
import { AccountViewSchema, LoginResultSchema, LoginSchema, ProblemSchema } from '../schemas';

export function authRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'post',
    path: '/v1/auth/login',
    summary: 'Log in and get a bearer token',
    tag: 'auth',
    access: 'public',
    body: LoginSchema,
    responses: { 200: { description: 'token', schema: LoginResultSchema }, 401: { description: 'bad credentials', schema: ProblemSchema } },
    handler: async ({ body }) => {
      const em = ctx.services.em.fork();
      const account = await em.findOne(AccountSchema, { username: body.username.toLowerCase() });
      // The same work whether or not the username exists, so timing does not tell which usernames are real.
      const ok = await verifyPassword(body.password, account?.passwordHash ?? DECOY_HASH);
      const success = !!account && ok && !account.disabled;
      if (account) {
        const action = success ? 'LOGIN' : 'LOGIN_FAILED';
        await em.transactional((tx) =>
          appendAudit(sqlOf(tx), [{ at: new Date(), actor: account.id, action, details: { username: account.username } }]),
        );
      }
      if (!success) throw unauthorized('The username or password is wrong, or the account is disabled.');
      return { body: { ...ctx.tokens.issue({ sub: account.id, role: account.role }), account: accountView(account) } };
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
