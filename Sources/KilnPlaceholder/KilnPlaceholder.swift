import KilnCore
import KilnImaging
