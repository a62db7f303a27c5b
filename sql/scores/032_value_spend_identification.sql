-- Whether the spend data identify Gamma-Gamma's q and γ (docs/rfm-and-value.md, "Identification").
-- Added by ALTER so existing warehouses gain the columns in place.
alter table value_model_runs add column if not exists is_spend_identified boolean;           -- false: spend does not vary between customers; q, γ run off together
alter table value_model_runs add column if not exists spend_identification_message varchar;  -- plain words: what is not identified, what the product does
