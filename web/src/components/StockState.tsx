/** How much of a product is left, in the shop's words: the card and the product page say it
 * the same way. */

/** At or below this many, the shopper is told how many are left. */
export const LOW_STOCK = 5;

export type StockLevel = "in" | "low" | "out";

export function stockLevel(stock: number): StockLevel {
  if (stock <= 0) return "out";
  return stock <= LOW_STOCK ? "low" : "in";
}

export function stockWording(stock: number): string {
  switch (stockLevel(stock)) {
    case "out":
      return "Out of stock";
    case "low":
      return `Only ${stock} left`;
    case "in":
      return "In stock";
  }
}

export function StockState({ stock, className }: { stock: number; className?: string }) {
  const level = stockLevel(stock);
  return (
    <span className={`stock-state stock-${level}${className ? ` ${className}` : ""}`}>
      <span className="stock-dot" aria-hidden="true" />
      {stockWording(stock)}
    </span>
  );
}
