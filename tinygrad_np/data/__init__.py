"""Datasets and the DataLoader, as `torch.utils.data`: `from tinygrad_np.data import DataLoader,
TensorDataset, random_split, RandomSampler, ...`; torchvision-style `datasets` (MNIST,
FashionMNIST, FakeData), `transforms` (Compose, ToTensor, Normalize, Resize, crops, ...) and
`utils` (make_grid, save_image); and TinyShakespeare, a character-level language-modelling
dataset."""

from . import datasets, folders, transforms, utils
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .download import download
from .fakedata import FakeData
from .idx import parse_idx, read_idx
from .mnist import MNIST, FashionMNIST
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .shakespeare import TinyShakespeare
