"""PyTorch definitions of the models spheres trains, with the state_dict
names `spheres export` writes, so `model.load_state_dict` loads an export
strictly (every key present, none extra) and `spheres import` reads
`model.state_dict()` saved with `safetensors.torch.save_file`.

Batch norm uses PyTorch's defaults, as spheres does: eps 1e-5, momentum 0.1.
"""

import torch
from torch import nn


def relu_net(n, width, depth, batch_norm=True):
    layers = []
    for i in range(depth):
        layers += [nn.Linear(n if i == 0 else width, width)]
        layers += [nn.BatchNorm1d(width), nn.ReLU()] if batch_norm else [nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(width, 1))


class QuadNet(nn.Module):
    """y(x) = w * sum_i (W x)_i^2 + b, with no bias in W."""

    def __init__(self, n, hidden):
        super().__init__()
        self.W = nn.Linear(n, hidden, bias=False)
        self.w = nn.Parameter(torch.ones(1))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return self.w * self.W(x).pow(2).sum(1, keepdim=True) + self.b
