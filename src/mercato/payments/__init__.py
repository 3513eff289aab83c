"""The payments service: card charges through a mock processor, refunds, payment history."""
