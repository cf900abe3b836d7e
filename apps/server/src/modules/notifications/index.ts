export { notificationsConsumer } from './notifications-consumer.ts';
export { createNotificationHub, type NotificationHub } from './notification-hub.ts';
export { notificationRoutes } from './routes.ts';
export { alertOperator, type OperatorAlert, type OperatorAlertType } from './operator-alerts.ts';
