import CKilnVips
import KilnCore
