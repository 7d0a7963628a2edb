/**
 * The alert rate limit, stored durably in the history table: one item per destination and
 * direction, key `destinationId = "<id>#alerts"` (a partition of its own: `#` never occurs in a
 * destination id, so the item never shows up in a destination's history) and `eventId = direction`.
 *
 * `claim` is one PutItem conditional on the item being absent or its `sentAt` at least the window
 * old (`mayAlert` in core/alerts.ts), so of two monitors seeing the same change at once exactly one
 * wins and sends. The item expires by TTL a day later.
 *
 * `lastSent` reads both items of a destination (two GetItems, consistent reads, so a claim just
 * made is seen) and names the direction with the newer `sentAt`: what the user was told last.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

  async lastSent(destinationId: string): Promise<AlertDirection | undefined> {
    const sentAt = async (direction: AlertDirection): Promise<string | undefined> => {
      try {
        const { Item } = await this.doc.send(
          new GetCommand({
            TableName: this.tableName,
            Key: alertGateKey(destinationId, direction),
            ProjectionExpression: 'sentAt',
            ConsistentRead: true,
          }),
        );
        return typeof Item?.['sentAt'] === 'string' ? Item['sentAt'] : undefined;
      } catch (error) {
        throw toDomainError(error, 'GetItem', this.tableName);
      }
    };
    const [failing, recovered] = await Promise.all([sentAt('failing'), sentAt('recovered')]);
    if (failing === undefined) return recovered === undefined ? undefined : 'recovered';
    return recovered !== undefined && recovered >= failing ? 'recovered' : 'failing';
  }
}
