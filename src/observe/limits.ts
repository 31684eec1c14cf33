// Limits of the status page's protocol, in a module of their own so they load without the server.
/** Messages the page sends are not expected; anything larger than this closes it with 1009. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;
