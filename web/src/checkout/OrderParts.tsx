/** Pieces of an order shown on the payment outcome and order detail pages. */

import type { Order } from "../api/types";
import { Price } from "../components/Price";
import { formatPrice } from "../format/money";

export function itemCount(order: Order): number {
  return order.items.reduce((sum, item) => sum + item.quantity, 0);
}

export function OrderItemsTable({ order, caption = "Items" }: { order: Order; caption?: string }) {
  return (
    <div className="table-wrap">
      <table className="data order-items">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col" className="numeric order-item-price">
              Price
            </th>
            <th scope="col" className="numeric">
              Quantity
            </th>
            <th scope="col" className="numeric">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.product_id}>
              <td>
                {item.name}
                <span className="muted order-item-sku">SKU {item.sku}</span>
                <span className="muted order-item-unit">{formatPrice(item.unit_price, order.currency)} each</span>
              </td>
              <td className="numeric order-item-price">
                <Price amount={item.unit_price} currency={order.currency} />
              </td>
              <td className="numeric">{item.quantity}</td>
              <td className="numeric">
                <Price amount={item.line_total} currency={order.currency} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Order total</th>
            <td className="order-item-price" />
            <td />
            <td className="numeric">
              <Price amount={order.total_amount} currency={order.currency} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

export function ShippingAddressBlock({ address }: { address: Order["shipping_address"] }) {
  const lines = [
    text(address.name),
    text(address.line1),
    text(address.line2),
    [text(address.postal_code), text(address.city)].filter(Boolean).join(" "),
    text(address.country),
  ].filter(Boolean);
  if (lines.length === 0) return <p className="muted">No shipping address.</p>;
  return (
    <address className="shipping-address">
      {lines.map((line, index) => (
        <span key={index}>{line}</span>
      ))}
    </address>
  );
}

/** The items and where they go, under headings of their own. */
export function ItemsAndAddress({ order }: { order: Order }) {
  return (
    <div className="order-parts">
      <section aria-labelledby={`items-${order.id}`}>
        <h2 id={`items-${order.id}`}>Items</h2>
        <OrderItemsTable order={order} />
      </section>
      <section aria-labelledby={`address-${order.id}`}>
        <h2 id={`address-${order.id}`}>Shipping address</h2>
        <ShippingAddressBlock address={order.shipping_address} />
      </section>
    </div>
  );
}
