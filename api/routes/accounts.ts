import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AccountSchema } from '../../infra/db/entities/account';
import { storesOver } from '../../infra/db/stores';
import { accountView } from '../accounts-view';
import { weakPasswordReason } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import type { ApiContext } from '../context';
import { conflict, invalidFields, notFound } from '../problem';
import type { Api } from '../route';
import { AccountChangeSchema, AccountViewSchema, IdParams, NewAccountSchema, ProblemSchema } from '../schemas';

export function accountRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'post',
    path: '/v1/accounts',
    summary: 'Create an account',
    tag: 'accounts',
    access: ['ADMIN'],
    body: NewAccountSchema,
    responses: {
      201: { description: 'created', schema: AccountViewSchema, links: { patchAccountsId: { id: '$response.body#/id' } } },
      400: { description: 'invalid', schema: ProblemSchema },
      409: { description: 'username taken', schema: ProblemSchema },
    },
    handler: async ({ body, caller }) => {
      const em = ctx.services.em.fork();
      await ctx.services.stores().gates.requireGates(body.gates, (i) => `gates.${i}`);
      const now = new Date();
      const account = em.create(AccountSchema, {
        id: randomUUID(),
        username: body.username,
        passwordHash: await hashPassword(body.password),
        role: body.role,
        gates: [...new Set(body.gates)],
        companyTaxCode: body.companyTaxCode ?? null,
        displayName: body.displayName ?? null,
        disabled: false,
        tokenVersion: 1,
        createdAt: now,
        updatedAt: now,
      });
      try {
        await em.transactional(async (tx) => {
          await tx.flush();
          await storesOver(tx).audit.append([
            {
              at: now,
              actor: caller.id,
              action: 'ACCOUNT_CREATED',
              details: { accountId: account.id, username: account.username, role: account.role, gates: account.gates },
            },
          ]);
        });
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException) throw conflict(`The username ${body.username} is taken.`);
        throw err;
      }
      return { status: 201, body: accountView(account), headers: { Location: `/v1/accounts/${account.id}` } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/accounts',
    summary: 'List accounts',
    tag: 'accounts',
    access: ['ADMIN'],
    responses: { 200: { description: 'every account', schema: z.array(AccountViewSchema) } },
    handler: async () => {
      const accounts = await ctx.services.em.fork().find(AccountSchema, {}, { orderBy: { username: 'asc' } });
      return { body: accounts.map(accountView) };
    },
  });

  api.route({
    method: 'patch',
    path: '/v1/accounts/{id}',
    summary: 'Disable or enable an account, change its gates or password',
    tag: 'accounts',
    access: ['ADMIN'],
    params: IdParams,
    body: AccountChangeSchema,
    responses: {
      200: { description: 'changed', schema: AccountViewSchema },
      400: { description: 'invalid', schema: ProblemSchema },
      404: { description: 'no such account', schema: ProblemSchema },
      409: { description: 'an admin disabling itself or the last admin', schema: ProblemSchema },
    },
    handler: async ({ params, body, caller }) => {
      const em = ctx.services.em.fork();
      const account = await em.findOne(AccountSchema, { id: params.id });
      if (!account) throw notFound('There is no account with this id.');
      const weak = body.password ? weakPasswordReason(body.password, account.username) : undefined;
      if (weak) throw invalidFields([{ path: 'password', message: weak }]);
      if (body.disabled && account.id === caller.id) throw conflict('An admin cannot disable its own account; ask another admin.');
      if (body.gates) {
        await ctx.services.stores().gates.requireGates(body.gates, (i) => `gates.${i}`);
        account.gates = [...new Set(body.gates)];
      }
      // A password change, a disable and a re-enable end every token issued before (tokens carry this version).
      const endsTokens = (body.disabled !== undefined && body.disabled !== account.disabled) || body.password !== undefined;
      if (body.disabled !== undefined) account.disabled = body.disabled;
      if (body.password) account.passwordHash = await hashPassword(body.password);
      if (endsTokens) account.tokenVersion += 1;
      account.updatedAt = new Date();
      await em.transactional(async (tx) => {
        const stores = storesOver(tx);
        // Serialised (the store takes a lock), so two admins disabling each other at once cannot leave none.
        if (body.disabled && account.role === 'ADMIN' && (await stores.accounts.otherActiveAdmins(account.id)) === 0) {
          throw conflict('This is the last admin that is not disabled; enable or create another admin first.');
        }
        await tx.flush();
        const details = { accountId: account.id, disabled: body.disabled, gates: body.gates, passwordChanged: body.password !== undefined };
        await stores.audit.append([{ at: account.updatedAt, actor: caller.id, action: 'ACCOUNT_CHANGED', details }]);
      });
      return { body: accountView(account) };
    },
  });
}
