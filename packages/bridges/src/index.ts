/** CloudEvents over message buses, in and out (see the README's "Bridges"). */
export type { InboundMessage, InboundSource, MessageHandler, MessageOrigin } from './source.ts';
