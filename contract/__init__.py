"""The wire contract: records, topic names and the Kafka client options every process uses."""
