/** Short names for the generated schema types the pages use. */

import type { components as N } from "./schema/notifications";
import type { components as O } from "./schema/orders";
import type { components as Pay } from "./schema/payments";
import type { components as P } from "./schema/products";
import type { components as U } from "./schema/users";

export type User = U["schemas"]["UserOut"];
export type Profile = U["schemas"]["ProfileOut"];
export type UserPage = U["schemas"]["UserPage"];
export type Product = P["schemas"]["ProductOut"];
export type ProductPage = P["schemas"]["ProductPage"];
export type ProductCreate = P["schemas"]["ProductCreate"];
export type ProductUpdate = P["schemas"]["ProductUpdate"];
export type Category = P["schemas"]["CategoryOut"];
export type Order = O["schemas"]["OrderOut"];
export type OrderPage = O["schemas"]["Page_OrderOut_"];
export type OrderItem = O["schemas"]["OrderItemOut"];
export type ShippingAddress = O["schemas"]["ShippingAddress"];
export type Payment = Pay["schemas"]["PaymentOut"];
export type PaymentPage = Pay["schemas"]["Page_PaymentOut_"];
export type Refund = Pay["schemas"]["RefundOut"];
export type Notification = N["schemas"]["NotificationOut"];
export type NotificationPage = N["schemas"]["Page_NotificationOut_"];

export type OrderStatus = Order["status"];
