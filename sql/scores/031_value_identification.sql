-- Which purchase model was fitted and whether the data identify it (docs/rfm-and-value.md,
-- "Identification"). Added by ALTER so existing warehouses gain the columns in place.
alter table value_model_runs add column if not exists purchase_model varchar;          -- bgnbd | mbgnbd
alter table value_model_runs add column if not exists identification varchar;          -- identified | limit_model | not_identified
alter table value_model_runs add column if not exists identification_message varchar;  -- plain words: what is not identified, what the product does
alter table value_model_runs add column if not exists is_p_alive_informative boolean;  -- false: p_alive written but must not be used to pick customers
alter table value_model_runs add column if not exists fixed_dropout_p double;          -- set when scored with the fixed-dropout limiting model
alter table value_model_runs add column if not exists count_fit_evaluations integer;   -- likelihood evaluations: fit + identification checks
