/**
 * The alert rate limit, stored durably in the history table: one item per destination and
 * direction, key `destinationId = "<id>#alerts"` (a partition of its own: `#` never occurs in a
 * destination id, so the item never shows up in a destination's history) and `eventId = direction`.
 *
 * `claim` is one PutItem conditional on the item being absent or its `sentAt` at least the window
 * old (`mayAlert` in core/alerts.ts), so of two monitors seeing the same change at once exactly one
 * wins and sends. The item expires by TTL a day later.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertDirection } from '../../core/alerts';
import { alertCutoff } from '../../core/alerts';
import type { AlertGate } from '../../core/ports';
import { isConditionalCheckFailed, toDomainError } from './errors';

export const alertGateKey = (destinationId: string, direction: AlertDirection) => ({
  destinationId: `${destinationId}#alerts`,
  eventId: direction,
});

export class DynamoAlertGate implements AlertGate {
  /** @param tableName the `{project}-destination-events` table. */
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(destinationId: string, direction: AlertDirection, now: Date, windowMs: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...alertGateKey(destinationId, direction),
            sentAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
          },
          ConditionExpression: 'attribute_not_exists(sentAt) OR sentAt <= :cutoff',
          ExpressionAttributeValues: { ':cutoff': alertCutoff(now, windowMs) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw toDomainError(error, 'PutItem', this.tableName);
    }
  }
}
