/**
 * The order queue's settings that its consumers reason about, written once: lib/orders/order-queue.ts
 * configures the queues with them, the functions and the game day read them.
 */

/** Receives before a message is parked in the DLQ; AWS recommends at least 5 so throttling alone cannot.
 *  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html */
export const MAX_RECEIVE_COUNT = 5;
/** How long an order queue keeps a message: 4 days, the SQS default. */
export const ORDER_RETENTION_SECONDS = 4 * 24 * 3600;
/** How long the DLQ and the rejects queue keep a message: 14 days, the SQS maximum (the live suite checks
 *  it). Longer than the order queue's, as AWS advises: a DLQ counts retention from the original enqueue.
 *  https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html */
export const PARKED_RETENTION_SECONDS = 14 * 24 * 3600;
