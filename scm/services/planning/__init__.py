"""Planning: demand history, forecast runs, the replenishment plan (inputs, projection, figures,
suggestions, approval, policies), stock-out warnings and the policy simulation."""
