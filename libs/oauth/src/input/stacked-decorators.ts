/**
 * One property decorator that is the given ones stacked as written, top to
 * bottom: applied bottom-up, as TypeScript applies a stack, so class-validator
 * keeps their constraints (and so their messages) in the same order. For
 * naming a kind of input that several DTOs or settings declare alike.
 */
export function stacked(...topDown: PropertyDecorator[]): PropertyDecorator {
  const bottomUp = [...topDown].reverse();
  return (target, property) => {
    for (const decorate of bottomUp) decorate(target, property);
  };
}
