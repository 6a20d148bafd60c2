import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, CrossingView } from '../domain/crossing-view';
import type { Declaration } from '../domain/declaration';

/**
 * The crossing workflow's messages, shared by the workflow and the API's Temporal client. Each name carries a version
 * suffix so a changed shape gets a new name rather than surprising a running crossing.
 */

export interface SubmitDeclaration {
  declaration: Declaration;
  actor: Actor;
}

/** The first declaration, sent with Update-with-Start so `POST /v1/crossings` answers with the validated state. */
export const submitDeclarationUpdate = defineUpdate<CrossingView, [SubmitDeclaration]>('submitDeclaration.v1');

/** The live crossing view. */
export const viewQuery = defineQuery<CrossingView>('view.v1');
