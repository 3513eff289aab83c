/** The mock gateway's test payment methods, offered to shoppers by name, and what each failure
 * code means in words. Shared by the checkout and the payment outcome pages. */

import type { components } from "../api/schema/payments";

export type PaymentMethodId = components["schemas"]["PaymentCreate"]["payment_method"];

export interface PaymentMethod {
  id: PaymentMethodId;
  label: string;
}

export const PAYMENT_METHODS: readonly PaymentMethod[] = [
  { id: "pm_card_visa", label: "Visa (succeeds)" },
  { id: "pm_card_mastercard", label: "Mastercard (succeeds)" },
  { id: "pm_card_chargeDeclined", label: "Declined card" },
  { id: "pm_card_chargeDeclinedInsufficientFunds", label: "Insufficient funds" },
  { id: "pm_card_chargeDeclinedExpiredCard", label: "Expired card" },
  { id: "pm_card_processingError", label: "Processing error" },
];

export const DEFAULT_PAYMENT_METHOD: PaymentMethodId = "pm_card_visa";

export function isPaymentMethodId(value: string): value is PaymentMethodId {
  return PAYMENT_METHODS.some((method) => method.id === value);
}

export interface FailureWording {
  /** The outcome page's heading. */
  title: string;
  /** One sentence on what happened and what to do. */
  explanation: string;
}

const FAILURES: Record<string, FailureWording> = {
  card_declined: {
    title: "Your card was declined",
    explanation: "Your bank declined the payment. Try another card.",
  },
  insufficient_funds: {
    title: "Your card was declined",
    explanation: "Your bank declined the payment because the card has insufficient funds. Try another card.",
  },
  expired_card: {
    title: "Your card was declined",
    explanation: "This card has expired. Try another card.",
  },
  processing_error: {
    title: "Your payment could not be processed",
    explanation: "The card processor had a problem with this payment. Try again, or try another card.",
  },
};

const UNKNOWN_FAILURE: FailureWording = {
  title: "Your payment did not go through",
  explanation: "The payment was not accepted. Try again, or try another card.",
};

export function failureWording(code: string | null | undefined): FailureWording {
  return (code && FAILURES[code]) || UNKNOWN_FAILURE;
}
