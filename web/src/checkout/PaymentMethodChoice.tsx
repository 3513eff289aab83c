/** The test payment methods as a radio group, chosen by name. */

import { useId } from "react";
import { PAYMENT_METHODS, type PaymentMethodId } from "./paymentMethods";

export function PaymentMethodChoice({ value, onChange, disabled = false, legend = "Payment method" }: {
  value: PaymentMethodId;
  onChange: (method: PaymentMethodId) => void;
  disabled?: boolean;
  legend?: string;
}) {
  const name = useId();
  const hintId = `${name}-hint`;
  return (
    <fieldset className="payment-methods" disabled={disabled} aria-describedby={hintId}>
      <legend>{legend}</legend>
      <p id={hintId} className="muted payment-methods-hint">
        This demo shop uses test cards: no real card is charged.
      </p>
      <ul>
        {PAYMENT_METHODS.map((method) => (
          <li key={method.id}>
            <label className="payment-method">
              <input
                type="radio"
                name={name}
                value={method.id}
                checked={value === method.id}
                onChange={() => onChange(method.id)}
              />
              <span>{method.label}</span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
