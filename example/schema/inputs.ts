import { builder } from './builder.js';
import { badInput } from './errors.js';
import { CertificateItemRef } from './types.js';

export const CertificateItemInput = builder.inputType('CertificateItemInput', {
  fields: (t) => ({
    id: t.globalID({
      for: CertificateItemRef,
      description: 'An item of this certificate to keep.',
    }),
    name: t.string({ required: true }),
    quantity: t.int({ required: true, description: 'Not negative.' }),
  }),
});

const certificateFields = {
  name: { max: 200 },
  status: { max: 50 },
  notes: { max: 10_000 },
} as const;

export const CreateCertificateInput = builder.inputType('CreateCertificateInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    status: t.string({ description: 'Defaults to "draft".' }),
    notes: t.string(),
    items: t.field({ type: [CertificateItemInput] }),
  }),
});

export const UpdateCertificateInput = builder.inputType('UpdateCertificateInput', {
  fields: (t) => ({
    name: t.string(),
    status: t.string(),
    notes: t.string(),
    items: t.field({
      type: [CertificateItemInput],
      description:
        'Replaces the list: an item with an id is kept and updated, one without is added, the others are removed.',
    }),
  }),
});

export interface ItemInput {
  id?: { id: string; typename: string } | null;
  name: string;
  quantity: number;
}

export interface CertificateInput {
  name?: string | null;
  status?: string | null;
  notes?: string | null;
  items?: ItemInput[] | null;
}

/** Checks lengths and quantities; names the field at fault. */
export function validateCertificateInput(input: CertificateInput) {
  for (const [field, { max }] of Object.entries(certificateFields)) {
    const value = input[field as keyof typeof certificateFields];
    if (value == null) continue;
    if (field !== 'notes' && value.trim() === '')
      throw badInput(`input.${field} must not be empty.`);
    if (value.length > max) {
      throw badInput(`input.${field} is longer than ${max} characters (${value.length}).`);
    }
    if (value.includes('\u0000')) throw badInput(`input.${field} contains a NUL character.`);
  }
  if (input.items && input.items.length > 200) {
    throw badInput(`input.items holds ${input.items.length} items; at most 200 are allowed.`);
  }
  input.items?.forEach((item, index) => {
    if (item.name.trim() === '') throw badInput(`input.items[${index}].name must not be empty.`);
    if (item.name.includes('\u0000')) {
      throw badInput(`input.items[${index}].name contains a NUL character.`);
    }
    if (item.name.length > 200) {
      throw badInput(`input.items[${index}].name is longer than 200 characters.`);
    }
    if (item.quantity < 0) {
      throw badInput(`input.items[${index}].quantity must not be negative; got ${item.quantity}.`);
    }
  });
}
