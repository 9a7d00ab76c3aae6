"""Fixed sin-cos position embeddings, laid out as the official I-JEPA / V-JEPA code lays them out.

Checkpoints save these tensors with the weights; we only build them for freshly initialised models
and to check a loaded one.
"""

import numpy as np


def sincos_1d(embed_dim: int, positions: np.ndarray) -> np.ndarray:
    """[M] positions -> [M, embed_dim]: sines of all frequencies, then cosines."""
    assert embed_dim % 2 == 0
    omega = np.arange(embed_dim // 2, dtype=np.float64) / (embed_dim / 2.0)
    omega = 1.0 / 10000**omega
    out = np.einsum("m,d->md", positions.reshape(-1).astype(np.float64), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def sincos_2d(embed_dim: int, grid_size: int, column_first: bool = True) -> np.ndarray:
    """[grid², D], tokens row-major over (row, column).

    I-JEPA's table encodes the column in the first half and the row in the second (its meshgrid puts
    w first); V-JEPA's 2-D table is the other way round (`column_first=False`)."""
    rows, cols = np.meshgrid(np.arange(grid_size), np.arange(grid_size), indexing="ij")
    halves = [sincos_1d(embed_dim // 2, cols), sincos_1d(embed_dim // 2, rows)]
    return np.concatenate(halves if column_first else halves[::-1], axis=1)


def sincos_3d(embed_dim: int, grid_size: int, grid_depth: int, uniform_power: bool = False) -> np.ndarray:
    """[T·grid², D] ordered (time, row, column); time gets half of D unless `uniform_power`."""
    times, rows, cols = np.meshgrid(np.arange(grid_depth), np.arange(grid_size), np.arange(grid_size), indexing="ij")
    if uniform_power:
        d_time = d_row = d_col = int(np.ceil(embed_dim / 6) * 2)
    else:
        d_row = d_col = embed_dim // 4
        d_time = embed_dim // 2
    emb = np.concatenate([sincos_1d(d_time, times), sincos_1d(d_row, rows), sincos_1d(d_col, cols)], axis=1)
    return emb[:, :embed_dim]
