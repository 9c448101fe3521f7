import type * as t from "@babel/types";

/** `new <…WebSocketServer…>({ noServer: true, … })`: the option object, if this is one. */
export function noServerOptions(node: t.NewExpression): t.ObjectExpression | undefined {
  if (node.callee.type !== "Identifier" || !/WebSocketServer/.test(node.callee.name)) return undefined;
  const options = node.arguments[0];
  if (options?.type !== "ObjectExpression") return undefined;
  const noServer = options.properties.some(
    (p) => p.type === "ObjectProperty" && p.key.type === "Identifier" && p.key.name === "noServer" && p.value.type === "BooleanLiteral" && p.value.value,
  );
  return noServer ? options : undefined;
}

export function hasOption(options: t.ObjectExpression, name: string): boolean {
  return options.properties.some((p) => p.type === "ObjectProperty" && p.key.type === "Identifier" && p.key.name === name);
}
