/**
 * What a saved Terraform plan will do, from `terraform show -json <planfile>`
 * (https://developer.hashicorp.com/terraform/internals/json-format, "resource_changes": each
 * change's `actions` is ["no-op"], ["create"], ["read"], ["update"], ["delete", "create"],
 * ["create", "delete"] or ["delete"]): counts per resource type for what is created, changed and
 * replaced, and every destroyed or replaced resource by address, shown before the confirmation.
 */

export interface PlanJson {
  resource_changes?: { address: string; type: string; mode?: string; change: { actions: string[] } }[];
}

export type PlanAction = 'create' | 'update' | 'replace' | 'delete';

export interface PlanSummary {
  /** resource type → number of resources, per action. */
  counts: Record<PlanAction, Record<string, number>>;
  /** Addresses of the resources that are destroyed (including those destroyed to be replaced). */
  destroyed: string[];
  replaced: string[];
}

function actionOf(actions: readonly string[]): PlanAction | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('create')) return 'create';
  if (actions.includes('update')) return 'update';
  return undefined; // no-op, read
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  const summary: PlanSummary = { counts: { create: {}, update: {}, replace: {}, delete: {} }, destroyed: [], replaced: [] };
  for (const change of plan.resource_changes ?? []) {
    if (change.mode === 'data') continue;
    const action = actionOf(change.change.actions);
    if (!action) continue;
    const byType = summary.counts[action];
    byType[change.type] = (byType[change.type] ?? 0) + 1;
    if (action === 'delete') summary.destroyed.push(change.address);
    if (action === 'replace') summary.replaced.push(change.address);
  }
  return summary;
}

const total = (byType: Record<string, number>): number => Object.values(byType).reduce((a, b) => a + b, 0);

/** True when the plan removes the restreaming control plane (module.stream_restreaming). */
export function removesRestreaming(summary: PlanSummary): boolean {
  return summary.destroyed.some((address) => address.startsWith('module.stream_restreaming'));
}

/** The summary as terminal lines. */
export function formatPlanSummary(summary: PlanSummary): string {
  const { counts } = summary;
  const head = `Plan: ${total(counts.create)} to create, ${total(counts.update)} to change, ${total(counts.replace)} to replace, ${total(counts.delete)} to destroy.`;
  const lines = [head];
  const row = (label: string, byType: Record<string, number>) => {
    const entries = Object.entries(byType).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length > 0) lines.push(`  ${label.padEnd(9)}${entries.map(([type, n]) => `${type} ×${n}`).join(', ')}`);
  };
  row('create', counts.create);
  row('change', counts.update);
  row('replace', counts.replace);
  row('destroy', counts.delete);
  if (summary.replaced.length > 0) {
    lines.push('  Replaced (destroyed, then created again):');
    summary.replaced.forEach((address) => lines.push(`    - ${address}`));
  }
  if (summary.destroyed.length > 0) {
    lines.push('  Destroyed:');
    summary.destroyed.forEach((address) => lines.push(`    - ${address}`));
  }
  return lines.join('\n');
}
