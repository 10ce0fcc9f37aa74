/** Interactive-transaction clients have no `$transaction` of their own. */
export function isTransactionClient(client: unknown): boolean {
  return typeof (client as { $transaction?: unknown } | null)?.$transaction !== 'function';
}

/**
 * The context the wrapped resolver sees: every property that holds the root client
 * (`ctx.prisma`, or whatever the plugin's `client` option reads) holds the transaction
 * client instead, so the resolver's writes join the transaction without a code change.
 */
export function contextWithClient<Context extends object>(
  context: Context,
  root: unknown,
  tx: unknown,
): Context {
  return new Proxy(context, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      return value === root ? tx : value;
    },
  });
}
