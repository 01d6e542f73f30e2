-- A supplier's member belongs to a supplier of the same estate; the API checked this,
-- now the database holds it too (and a supplier with members cannot be deleted).
ALTER TABLE suppliers ADD CONSTRAINT suppliers_estate_id_id_key UNIQUE (estate_id, id);
ALTER TABLE members
    ADD CONSTRAINT members_supplier_fk FOREIGN KEY (estate_id, supplier_id)
    REFERENCES suppliers (estate_id, id);
CREATE INDEX members_supplier ON members (supplier_id) WHERE supplier_id IS NOT NULL;
