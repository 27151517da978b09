"""forecasting: promotions, forecast runs and forecasts; items.forecast_freq

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forecast_freq", sa.String(length=1), server_default="W", nullable=False))
        batch_op.create_check_constraint("forecast_freq", "forecast_freq IN ('D','W','M')")
    op.create_table(
        "promotions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("uplift", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_promotions_dates_ordered")),
        sa.CheckConstraint("uplift > -1 AND uplift <= 10", name=op.f("ck_promotions_uplift_range")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_promotions_created_by_users")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_promotions_item_id_items")),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_promotions_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
    )
    op.create_index("ix_promotions_item_warehouse", "promotions", ["item_id", "warehouse_id", "starts_on"])
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("series_total", sa.Integer(), nullable=False),
        sa.Column("series_done", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('running','ok','error')", name=op.f("ck_forecast_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("freq", sa.String(length=1), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("history_end", sa.Date(), nullable=False),
        *[sa.Column(name, sa.JSON(), nullable=False)
          for name in ("period_starts", "mean", "lo80", "hi80", "lo95", "hi95", "sigma", "backtest", "params",
                       "warnings")],
        sa.Column("mase", sa.Float(), nullable=True),
        sa.Column("wape", sa.Float(), nullable=True),
        sa.Column("bias", sa.Float(), nullable=True),
        sa.CheckConstraint("freq IN ('D','W','M')", name=op.f("ck_forecasts_freq")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_forecasts_item_id_items")),
        sa.ForeignKeyConstraint(["run_id"], ["forecast_runs.id"], name=op.f("fk_forecasts_run_id_forecast_runs")),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_forecasts_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecasts")),
        sa.UniqueConstraint("run_id", "item_id", "warehouse_id", name="uq_forecasts_run_item_warehouse"),
    )
    op.create_index("ix_forecasts_item_warehouse_run", "forecasts", ["item_id", "warehouse_id", "run_id"])


def downgrade():
    op.drop_index("ix_forecasts_item_warehouse_run", table_name="forecasts")
    op.drop_table("forecasts")
    op.drop_table("forecast_runs")
    op.drop_index("ix_promotions_item_warehouse", table_name="promotions")
    op.drop_table("promotions")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_items_forecast_freq"), type_="check")
        batch_op.drop_column("forecast_freq")
