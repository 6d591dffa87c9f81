"""Edge agent settings: defaults in configs/edge.toml [edge], ``SPOTTER_EDGE_*`` overrides.

The broker address, TLS/SASL and the device token stay in :mod:`configs.settings` (shared
with the other processes); this model holds what only the edge box decides: its disk
buffer, its publishing window and its local status endpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from configs.base import ConfigFile

EDGE_TOML = Path(__file__).resolve().parent.parent / "configs" / "edge.toml"


class EdgeSettings(ConfigFile):
    """Validated edge settings; see configs/edge.toml for why each default is what it is."""

    model_config = SettingsConfigDict(env_prefix="SPOTTER_EDGE_", extra="ignore", env_file=".env",
                                      pyproject_toml_table_header=("edge",))
    TOML_FILE: ClassVar[Path] = EDGE_TOML

    buffer_file: Path = Path("edge/buffer.sqlite")
    buffer_max_mb: float = Field(default=1024.0, gt=0)
    buffer_synchronous: Literal["FULL", "NORMAL"] = "FULL"
    memory_limit: int = Field(default=4000, ge=10)
    flush_interval_s: float = Field(default=0.2, gt=0, le=10)
    seq_skip_after_crash: int = Field(default=4096, ge=0)

    max_batch_bytes: int = Field(default=262_144, ge=1024, le=16 * 1024 * 1024)
    window_records: int = Field(default=2000, ge=1)
    request_timeout_s: float = Field(default=5.0, gt=0)
    retry_initial_s: float = Field(default=0.2, gt=0)
    retry_max_s: float = Field(default=5.0, gt=0)
    drain_timeout_s: float = Field(default=5.0, ge=0)

    follow_interval_s: float = Field(default=5.0, gt=0, le=60)
    box_report_s: float = Field(default=5.0, ge=0, le=60)  # 0: cameras not reported

    health_enabled: bool = True
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=9464, ge=0, le=65535)


    def buffer_path(self, data_dir: Path) -> Path:
        """The buffer file: absolute as given, else inside the Spotter data directory."""
        return self.buffer_file if self.buffer_file.is_absolute() else data_dir / self.buffer_file

    @property
    def buffer_max_bytes(self) -> int:
        return int(self.buffer_max_mb * 1024 * 1024)
