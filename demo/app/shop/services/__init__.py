"""Business logic, one module per area. Functions take an open Session."""
