/** The shopping cart: kept across reloads, per shopper, and merged into the shopper's own cart
 * when they sign in. */

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { addPrices, multiplyPrice } from "../format/money";
import { cartKey, clampQuantity, loadCart, mergeLines, saveCart, type CartLine } from "./storage";

interface CartState {
  lines: CartLine[];
  count: number;
  subtotal: string;
  currency: string;
  /** Adds `quantity` of a product; answers how many are in the cart afterwards. */
  add(product: Product, quantity: number): number;
  setQuantity(productId: string, quantity: number): void;
  remove(productId: string): void;
  /** Refreshes lines from the catalog's current products (price, name, stock); products that
   * are gone are dropped. */
  refresh(products: Map<string, Product | null>): void;
  clear(): void;
}

const CartContext = createContext<CartState | null>(null);

function lineOf(product: Product, quantity: number): CartLine {
  return {
    productId: product.id,
    name: product.name,
    price: product.price,
    currency: product.currency,
    imageUrl: product.image_url,
    stock: product.stock,
    quantity,
  };
}

export function CartProvider({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const userId = user?.id ?? null;
  const [lines, setLines] = useState<CartLine[]>(() => loadCart(userId));
  const owner = useRef<string | null>(userId);

  // Signing in merges the guest cart into the shopper's; signing out shows the guest cart.
  useEffect(() => {
    if (owner.current === userId) return;
    const previous = owner.current;
    owner.current = userId;
    if (userId && previous === null) {
      const merged = mergeLines(loadCart(userId), loadCart(null));
      saveCart(null, []);
      saveCart(userId, merged);
      setLines(merged);
    } else {
      setLines(loadCart(userId));
    }
  }, [userId]);

  // Another tab changed this cart.
  useEffect(() => {
    const follow = (event: StorageEvent) => {
      if (event.key === cartKey(owner.current)) setLines(loadCart(owner.current));
    };
    window.addEventListener("storage", follow);
    return () => window.removeEventListener("storage", follow);
  }, []);

  const update = useCallback((change: (current: CartLine[]) => CartLine[]) => {
    setLines((current) => {
      const next = change(current);
      saveCart(owner.current, next);
      return next;
    });
  }, []);

  const add = useCallback(
    (product: Product, quantity: number) => {
      const existing = lines.find((line) => line.productId === product.id)?.quantity ?? 0;
      const total = clampQuantity(existing + quantity, product.stock);
      update((current) => mergeLines(current.filter((line) => line.productId !== product.id), [lineOf(product, total)]));
      return total;
    },
    [lines, update],
  );

  const setQuantity = useCallback(
    (productId: string, quantity: number) =>
      update((current) =>
        current
          .map((line) => (line.productId === productId ? { ...line, quantity: clampQuantity(quantity, line.stock) } : line))
          .filter((line) => line.quantity > 0),
      ),
    [update],
  );

  const remove = useCallback(
    (productId: string) => update((current) => current.filter((line) => line.productId !== productId)),
    [update],
  );

  const refresh = useCallback(
    (products: Map<string, Product | null>) =>
      update((current) =>
        current.flatMap((line) => {
          if (!products.has(line.productId)) return [line];
          const product = products.get(line.productId);
          if (!product || !product.is_active) return [];
          return [{ ...lineOf(product, line.quantity) }];
        }),
      ),
    [update],
  );

  const clear = useCallback(() => update(() => []), [update]);

  const value = useMemo<CartState>(
    () => ({
      lines,
      count: lines.reduce((sum, line) => sum + line.quantity, 0),
      subtotal: addPrices(lines.map((line) => multiplyPrice(line.price, line.quantity))),
      currency: lines[0]?.currency ?? "USD",
      add,
      setQuantity,
      remove,
      refresh,
      clear,
    }),
    [lines, add, setQuantity, remove, refresh, clear],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartState {
  const state = useContext(CartContext);
  if (!state) throw new Error("useCart needs a <CartProvider> above it");
  return state;
}
