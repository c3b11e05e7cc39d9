/** CloudEvents over message buses, in and out (see the README's "Bridges"). */
export type { InboundMessage, InboundSource, MessageHandler, MessageOrigin } from './source.ts';
export { decodeMessage, printableBody, type Decoded } from './decode.ts';
export { defaultHighWaterMark, inboundHandler, type InboundCounts, type InboundHandlerOptions } from './in-bridge.ts';
export { ConfigError, kafkaBrokers, loadBridges, parseConfig, redact, Secret, type Bridge, type BridgeSpec, type LoadOptions } from './config.ts';
export { RedisStreamsSource, type RedisStreamsSourceOptions } from './sources/redis-streams.ts';
export { NatsSource, type NatsSourceOptions } from './sources/nats.ts';
export { rabbitMqSource, type RabbitMqSourceOptions } from './sources/rabbitmq.ts';
export { mqttSource, type MqttSourceOptions } from './sources/mqtt.ts';
export { kafkaSource, type KafkaConsumer, type KafkaConsumerClient, type KafkaSourceOptions } from './sources/kafka.ts';
export { startOutboundBridge, PermanentDeliveryError, type CommandSink, type OutboundBridge, type OutboundBridgeOptions } from './outbound.ts';
export { webhookSink, type WebhookSinkOptions } from './sinks/webhook.ts';
export { rabbitMqSink, type RabbitMqSinkOptions } from './sinks/rabbitmq.ts';
export { mqttSink, type MqttSinkOptions } from './sinks/mqtt.ts';
export { redisStreamsSink, type RedisStreamsSinkOptions } from './sinks/redis-streams.ts';
export { natsSink, type NatsSink, type NatsSinkOptions } from './sinks/nats.ts';
export { kafkaSink, type KafkaProducer, type KafkaProducerClient, type KafkaSinkOptions } from './sinks/kafka.ts';
export { encodeCommand, type ContentMode, type EncodedMessage } from './encode.ts';
export { bridgeChecks, sinkFor, sourceFor, startBridges, type RunningBridge } from './run.ts';
