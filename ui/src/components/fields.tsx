// Form fields with their label, hint and validation messages tied to the input
// (label for=, aria-describedby, aria-invalid). Every input's `name` is its config key.

import type { ComponentChildren } from "preact";

export const fieldId = (key: string) => `f-${key.replace(/[^a-zA-Z0-9_-]/g, "-")}`;

type Common = {
  k: string;
  label: string;
  hint?: string;
  errors?: readonly string[] | undefined;
  class?: string;
};

function Messages({ k, hint, errors }: Pick<Common, "k" | "hint" | "errors">) {
  const id = fieldId(k);
  return (
    <>
      {hint ? (
        <span class="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {errors?.length ? (
        <span class="field-error" id={`${id}-err`} data-testid="field-error" data-field={k}>
          {errors.join(" · ")}
        </span>
      ) : null}
    </>
  );
}

function describedBy(k: string, hint?: string, errors?: readonly string[]) {
  const id = fieldId(k);
  const ids = [hint ? `${id}-hint` : "", errors?.length ? `${id}-err` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function TextField({
  k,
  label,
  hint,
  errors,
  value,
  placeholder,
  onValue,
  numeric,
  required,
  autoFocusKey,
  class: cls,
  inputRef,
  password,
  disabled,
}: Common & {
  value: string;
  /** A secret: `type=password`, never filled in or remembered by the browser. */
  password?: boolean;
  disabled?: boolean;
  placeholder?: string | undefined;
  onValue: (v: string) => void;
  numeric?: boolean;
  required?: boolean;
  autoFocusKey?: string;
  inputRef?: (el: HTMLInputElement | null) => void;
}) {
  const id = fieldId(k);
  const bad = Boolean(errors?.length);
  const input = {
    id,
    name: k,
    value,
    disabled,
    placeholder,
    inputMode: numeric ? ("numeric" as const) : undefined,
    autoComplete: "off",
    spellcheck: false,
    "aria-invalid": bad,
    "aria-required": required,
    "aria-describedby": describedBy(k, hint, errors),
    "data-focus-key": autoFocusKey,
    ref: inputRef,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${bad ? " field-bad" : ""}${cls ? ` ${cls}` : ""}`} data-field={k}>
      <label for={id}>
        {label}
        {required ? <span class="req"> (required)</span> : null}
      </label>
      {password ? <input type="password" {...input} /> : <input type="text" {...input} />}
      <Messages k={k} hint={hint} errors={errors} />
    </div>
  );
}

export function SelectField({
  k,
  label,
  hint,
  errors,
  value,
  options,
  onValue,
  class: cls,
}: Common & {
  value: string;
  options: ReadonlyArray<readonly [string, string]>;
  onValue: (v: string) => void;
}) {
  const id = fieldId(k);
  const bad = Boolean(errors?.length);
  return (
    <div class={`field${bad ? " field-bad" : ""}${cls ? ` ${cls}` : ""}`} data-field={k}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={k}
        value={value}
        aria-invalid={bad}
        aria-describedby={describedBy(k, hint, errors)}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <Messages k={k} hint={hint} errors={errors} />
    </div>
  );
}

export function CheckField({
  k,
  label,
  hint,
  errors,
  checked,
  onValue,
  disabled,
  class: cls,
}: Common & { checked: boolean; onValue: (v: boolean) => void; disabled?: boolean }) {
  const id = fieldId(k);
  const bad = Boolean(errors?.length);
  return (
    <div class={`field field-check${bad ? " field-bad" : ""}${cls ? ` ${cls}` : ""}`} data-field={k}>
      <input
        id={id}
        name={k}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-invalid={bad}
        aria-describedby={describedBy(k, hint, errors)}
        onChange={(e) => onValue((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>{label}</label>
      <Messages k={k} hint={hint} errors={errors} />
    </div>
  );
}

/** The list of problems at the top of a form; links move the focus to the field. */
export function ProblemSummary({
  count,
  what,
  general,
  fieldKeys,
  summaryRef,
}: {
  count: number;
  what: string;
  general: ReadonlyArray<string>;
  fieldKeys: ReadonlyArray<[string, string]>;
  summaryRef?: (el: HTMLDivElement | null) => void;
}): ComponentChildren {
  if (count === 0) return null;
  return (
    <div class="problems" role="alert" tabIndex={-1} ref={summaryRef} data-testid="problems">
      <p>
        <strong>
          {count === 1 ? "1 problem" : `${count} problems`} — {what}
        </strong>
      </p>
      <ul>
        {fieldKeys.map(([key, text]) => (
          <li key={key}>
            <a
              href={`#${fieldId(key)}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(fieldId(key))?.focus();
              }}
            >
              {text}
            </a>
          </li>
        ))}
        {general.map((g, i) => (
          <li key={`g${i}`}>{g}</li>
        ))}
      </ul>
    </div>
  );
}
