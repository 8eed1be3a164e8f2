/** A preset's run: label, optimizer (completed by the validator) and optional schedule. */
export const run = (label: string, optimizer: Record<string, unknown>, schedule?: Record<string, unknown>) => ({
  label,
  optimizer,
  ...(schedule ? { schedule } : {}),
});
