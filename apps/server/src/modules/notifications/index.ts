export { notificationsConsumer } from './notifications-consumer.ts';
export { createNotificationHub, type NotificationHub } from './notification-hub.ts';
export { notificationRoutes } from './routes.ts';
