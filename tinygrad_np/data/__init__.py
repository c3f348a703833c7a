"""Datasets and the DataLoader: `from tinygrad_np.data import DataLoader, TensorDataset, MNIST, FashionMNIST`."""

from .collate import default_collate
from .dataloader import DataLoader
from .dataset import Dataset, Subset, TensorDataset
from .download import download
from .idx import parse_idx, read_idx
from .mnist import MNIST, FashionMNIST
